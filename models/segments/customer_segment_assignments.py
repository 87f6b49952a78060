from customer_behavior import pipeline


def model(dbt, session):
    features = dbt.ref("segment_features").df()
    fitted = dbt.ref("segment_model").df()
    return pipeline.customer_segment_assignments(features, fitted)
