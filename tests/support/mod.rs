//! Test support shared by the integration tests.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code, unused_imports)]

pub mod fake_discord;
