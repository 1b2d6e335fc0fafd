"""The signed-in home: a to-do list per role (and, in time, notifications)."""
