import Host
print("lethe: not built yet")
