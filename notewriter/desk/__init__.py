"""The review desk: a store of every draft and version (SQLite), and the editors' web app over it."""
