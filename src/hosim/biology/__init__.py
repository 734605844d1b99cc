"""hosim.biology"""
