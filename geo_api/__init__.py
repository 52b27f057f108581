"""warmmap's web service: settings, the data model and the HTTP API."""
