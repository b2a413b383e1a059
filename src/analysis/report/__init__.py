"""`python -m analysis report`: notebooks run on reused kernels in worker processes, code-free HTML pages, the
index, the exports; the finished folder replaces the previous one in one rename."""
