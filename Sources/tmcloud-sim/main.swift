print("tmcloud-sim")
