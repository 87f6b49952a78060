"""customer_behavior: the Python side of the SQL-first customer analytics project."""

__version__ = "0.1.0"
