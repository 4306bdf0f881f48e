//! Fuzz target `defrag`: see `tests/fuzz_harness/mod.rs` (`fuzz_harness::defrag`) for the input format
//! and the invariants checked.
#![no_main]

#[path = "../../tests/fuzz_harness/mod.rs"]
mod fuzz_harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = fuzz_harness::defrag(data);
});
