"""HTTP routes, one module per resource. Each route parses, calls the domain, shapes."""
