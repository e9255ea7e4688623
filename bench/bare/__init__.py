"""The ceiling: a bare Django project over the same database and tables, one minimal view per measured shape."""
