"""Chair scheduling for a centre: the demand read from the database, the planner
run over it, and the bookings written in one transaction (`plan_centre`); the
bookings and capacity read back for people and programs (`views`)."""
