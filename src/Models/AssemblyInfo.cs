namespace MLNetClip.Models;
