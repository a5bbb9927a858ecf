"""`ivig demo`: a demo centre's synthetic courses and months of ward events."""
