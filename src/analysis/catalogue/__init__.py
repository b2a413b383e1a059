"""What units report: the indicator catalogue (model and YAML), validation rules, the submission template and the
data dictionary generated from them."""
