"""Prefect flows: thin orchestration over the ivig_workflow services.

Each flow is async: a synchronous flow run waits about a second on Prefect's
heartbeat thread when it ends, and the clock fires some flows every few seconds.
The services they call are synchronous and short, so blocking the flow's own
event loop costs nothing.
"""
