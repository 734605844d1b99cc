"""hosim.scenarios"""
