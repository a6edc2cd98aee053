//! The seeded hash of a customer's key: what `split … seed '…' into …` divides customers
//! by, and what picks the customers of a sample preview on engines without a row id. Every
//! engine computes the same function (docs/semantics.md, "Splits"); this is its definition
//! in Rust, used by SQLite (as the SQL function [`SQL_FUNCTION`]) and by the reference
//! evaluator.

use md5::{Digest, Md5};

/// How many buckets there are: a bucket is a hundredth of a percent.
pub const BUCKETS: u32 = 10_000;

/// The name of the SQL function seglang adds to SQLite connections:
/// `seg_key_hash(seed, key)`.
pub const SQL_FUNCTION: &str = "seg_key_hash";

/// The hash of the customer whose key reads `key` as text, under `seed`: the first four
/// bytes of MD5(`seed` ':' `key`), read as a big-endian unsigned number.
pub fn key_hash(seed: &str, key: &str) -> u32 {
    let digest = Md5::new()
        .chain_update(seed.as_bytes())
        .chain_update(b":")
        .chain_update(key.as_bytes())
        .finalize();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// The bucket (0–9999) of a customer in a split under `seed`: its key hash modulo 10,000
/// (the reference evaluator's; the engines compute it in SQL).
#[cfg(feature = "internals")]
pub fn bucket(seed: &str, key: &str) -> u32 {
    key_hash(seed, key) % BUCKETS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_is_the_md5_prefix_modulo_ten_thousand() {
        // From `printf 'spring-2026:42' | md5sum` (0d95b8e5…): 0x0d95b8e5 = 227916005.
        assert_eq!(bucket("spring-2026", "42"), 6005);
        // 36930b3d… = 915606333.
        assert_eq!(bucket("spring-2026", "43"), 6333);
        // b6b32716… = 3065194262, above 2^31: read unsigned.
        assert_eq!(key_hash("x", "abc"), 3_065_194_262);
        assert_eq!(bucket("x", "abc"), 4262);
    }
}
