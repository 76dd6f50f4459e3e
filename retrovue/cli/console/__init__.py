"""The operator console: the station configured from a browser, over the CLI's services."""
