// Live-tensor counts are process-wide, and the in-process CLI swaps Console: one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
