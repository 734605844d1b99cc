"""hosim.io"""
