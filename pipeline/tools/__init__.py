"""Developer tools that read docpipe's own source (nothing here runs on documents)."""
