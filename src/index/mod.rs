//! The compact per-packet index (columns) that every view reads.
