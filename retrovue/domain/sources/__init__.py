"""Where media comes from: folders on disk, and Plex, Jellyfin and Emby servers."""
