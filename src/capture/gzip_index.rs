//! Random access into gzip-compressed captures through inflate checkpoints taken while reading.
