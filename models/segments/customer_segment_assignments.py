from customer_behavior import pipeline


def model(dbt, session):
    features = pipeline.features_frame(dbt.ref("segment_features"))
    fitted = dbt.ref("segment_model").df()
    return pipeline.customer_segment_assignments(features, fitted)
