"""hosim.clinical"""
