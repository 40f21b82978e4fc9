// Live-tensor counts are process-wide and the training tests are CPU-heavy: one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
