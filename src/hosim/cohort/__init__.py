"""hosim.cohort"""
