"""hosim.analysis"""
