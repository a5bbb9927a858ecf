"""The ward-event HTTP service: FastAPI under /v1, served by uvicorn."""
