//! Reading packet bytes back from the capture on demand (plain files, and gzip through checkpoints).
