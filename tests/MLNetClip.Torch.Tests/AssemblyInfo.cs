// Tensor.LiveCount is process-wide: a test that asserts it returns to its baseline sees every
// tensor that a concurrently running test creates. Test classes therefore run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
