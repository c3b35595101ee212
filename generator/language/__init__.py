"""Everything language-specific: UI catalogs and dates (Babel), alphabetical order,
transliterated slugs, quotation marks, and the words newsgen puts in story bodies."""
