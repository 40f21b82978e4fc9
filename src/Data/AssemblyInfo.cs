namespace MLNetClip.Data;
