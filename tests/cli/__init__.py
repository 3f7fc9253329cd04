"""Commands as a user sees them: exit codes and output, through tests.support.cli.run_cli."""
