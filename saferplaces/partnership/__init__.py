"""The partnership's plan and its delivery: structure, priorities, actions,
progress, evaluation (issue: partnership plan and delivery)."""
