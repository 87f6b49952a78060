from customer_behavior import pipeline


def model(dbt, session):
    fitted = dbt.ref("segment_model").df()
    return pipeline.customer_segment_assignments(dbt.ref("segment_features"), fitted)
