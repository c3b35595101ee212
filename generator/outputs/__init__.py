"""What a build makes besides HTML pages: feeds and sitemaps, structured data, the search
index, photo variants and metadata-free originals."""
