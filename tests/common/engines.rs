//! Engines for the conformance suite beyond SQLite, PostgreSQL and DuckDB: Spark is one of
//! seglang's own engines (`[database] spark = …`); the tests need a cluster
//! (`SEG_TEST_SPARK_MASTER`, with `SPARK_HOME`). Tests on it are `#[ignore = "needs …"]`;
//! run without the engine, they fail saying what is missing.

/// The Spark master of the test cluster (`SEG_TEST_SPARK_MASTER`, with `SPARK_HOME`).
pub fn spark_master() -> String {
    assert!(
        std::env::var("SPARK_HOME").is_ok(),
        "this test needs SPARK_HOME (.ci/spark.sh sets it)"
    );
    std::env::var("SEG_TEST_SPARK_MASTER").expect(
        "this test needs a Spark cluster: set SEG_TEST_SPARK_MASTER (.ci/spark.sh starts one)",
    )
}
