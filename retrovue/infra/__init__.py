"""Infrastructure: database engines and sessions, migrations, and the admin write path."""
