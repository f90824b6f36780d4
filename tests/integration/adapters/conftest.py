from adapters.sandbox.pytest_plugin import sandbox_data_dir, sandbox_faults_cleared, sandboxes  # noqa: F401
