"""Running a judge over a benchmark: the runner, its executors (local asyncio, Ray) and reading results back."""
