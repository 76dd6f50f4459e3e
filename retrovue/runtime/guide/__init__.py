"""The guide channel: a TV-guide grid drawn in-process, scrolled and encoded by ffmpeg."""
