"""`ivig serve`: the ward API, the clock that fires the flows, and the local dashboard."""
