//! The `tracematch` command line: thin subcommands over the library.
