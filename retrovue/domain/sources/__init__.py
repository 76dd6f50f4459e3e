"""Where media comes from: folders on disk and Plex Media Servers."""
