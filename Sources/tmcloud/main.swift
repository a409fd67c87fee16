print("tmcloud")
