"""The coaching engine: text, rules, context, the learned stage, detection and the suggestion."""
