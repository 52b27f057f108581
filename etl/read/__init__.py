"""Reading: the files data officers have, as text columns, geometry and row numbers."""
