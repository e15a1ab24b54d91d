"""Loading ``gjj-dataset/1`` documents (data/DATASET.md) and generating synthetic ones.

``documents`` and ``validation`` are pure (no Django models) so that govsso and the simulators,
which are separate Django projects, can read and check the same document with the same rules.
"""
