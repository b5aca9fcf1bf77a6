#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| portlaw_lint::fuzzing::lint(data));
