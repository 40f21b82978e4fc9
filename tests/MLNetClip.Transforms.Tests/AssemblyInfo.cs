// Live-tensor counts are process-wide: one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
