import Core
print("lethe-bench: not built yet")
